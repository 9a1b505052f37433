import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import { save } from '../../components/download.js';

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
