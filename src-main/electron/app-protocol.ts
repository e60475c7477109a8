import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { contentTypeOf } from '../core/web/content-types.js';
import { CSP } from './window-security.js';


/**
 * Answers an `app://warden/…` request from the built window folder, with the app's CSP. Paths
 * outside the folder are refused; unknown paths get the page (it routes by hash).
 */
export function rendererResponse(requestUrl: string, rendererDir: string): Response {
  const url = new URL(requestUrl);
  if (url.host !== 'warden') return new Response('Not found', { status: 404 });
  const root = resolve(rendererDir);
  const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  let file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return new Response('Not found', { status: 404 });
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) return new Response('The window is not built; run: npm run build', { status: 500 });
  return new Response(readFileSync(file), {
    status: 200,
    headers: { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' },
  });
}
