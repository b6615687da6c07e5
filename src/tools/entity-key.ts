// scheme and authority (`https://Evil.Example:443`, or a host alone), then the path, query and fragment
const URL_PARTS = /^((?:[a-z][a-z0-9+.-]*:)?(?:\/\/)?[^/?#]*)(.*)$/is;

/**
 * How the real system compares an entity value of this type with what a query passes: accounts,
 * hosts, hashes, addresses and domains without regard to case (as IdPs, EDRs and DNS do); a URL's
 * scheme and host so too, but its path and query exactly, as a web server and a URL shortener read
 * them (`bit.ly/3xYz` and `bit.ly/3xyz` are two links, and a reputation service scores them apart).
 */
export function entityKey(type: string, value: string): string {
  if (type !== "url") return value.toLowerCase();
  const m = URL_PARTS.exec(value);
  return m ? m[1]!.toLowerCase() + m[2]! : value;
}
