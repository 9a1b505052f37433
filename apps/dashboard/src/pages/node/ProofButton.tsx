import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';

/** Saves a Blob as a file through a temporary link. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has started the download by now; freeing the URL later is harmless either way.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the node's proof bundle (a JSON file that `locus proof verify` checks offline). */
export function ProofButton({ nodeId, name }: { readonly nodeId: string; readonly name: string }) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const blob = await api.blob(paths.proof(nodeId));
      save(new Blob([blob], { type: 'application/json' }), `locus-proof-${name.replace(/[^\w.-]+/g, '_')}.json`);
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  };
  return (
    <span className="proof">
      <button type="button" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? 'Preparing…' : 'Download proof bundle'}
      </button>
      {state.error && (
        <span className="status error" role="alert">
          {state.error}
        </span>
      )}
    </span>
  );
}
