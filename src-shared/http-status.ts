/** How `warden status` reports the local MCP endpoint (part of the control API's StatusInfo). */
export interface HttpStatus {
  /** The aggregated endpoint's URL (`…/mcp`; `…/mcp/<server>` for one server), null when not listening. */
  httpUrl: string | null;
  /** The one sentence saying why the endpoint is not listening (the port was taken), else null. */
  httpProblem: string | null;
}
