/** The options the capture-reading verbs (decode, capture export/import/info) share, as their registrations declare them. */

/** Flags shared by the commands that read hex dumps and raw dumps (decode, capture export/import/info). */
export interface HexDirectionFlags {
  h2d?: string[];
  d2h?: string[];
  direction?: string;
  format?: string;
}

/** Help text of the shared --format option. */
export const FORMAT_OPTION_HELP = 'input format: auto (capture, hex dump or pcapng, told from the content), jsonl, hex, raw (bytes as read from the port, one direction), or pcapng (tenkey capture export)';
