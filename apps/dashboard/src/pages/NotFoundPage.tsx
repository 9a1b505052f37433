import { Link } from '../router/Link.js';

export function NotFoundPage({ path }: { readonly path: string }) {
  return (
    <>
      <h1>No such page</h1>
      <p>
        The dashboard has no page at <code>{path}</code>. <Link href="/">Go to the overview</Link>.
      </p>
    </>
  );
}
