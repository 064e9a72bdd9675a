// How a load balancer's URL is shown: plan/ writes it into the steps' descriptions, execute/ into the
// requests a run records.

/**
 * A load balancer's URL as the plan shows it and the run records it: a password written inline is
 * masked, a `${NAME}` reference is kept (its value is filled in only when the request is sent).
 */
export function shownLbUrl(url: string): string {
  return url.replace(/^(https?:\/\/[^/@:]*:)([^@/]*)@/, (whole, head: string, password: string) =>
    /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(password) ? whole : `${head}***@`,
  );
}
