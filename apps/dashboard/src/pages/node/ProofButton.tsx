import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import { save } from '../../components/download.js';

/**
 * Downloads the node's proof bundle (a JSON file that `locus proof verify` checks offline): of
 * its verdict now, or with `at` of its verdict at that past time (a row of a verdict history).
 */
export function ProofButton({ nodeId, name, at }: { readonly nodeId: string; readonly name: string; readonly at?: string }) {
  const api = useApi();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const file = name.replace(/[^\w.-]+/g, '_');
  const download = async () => {
    setState({ busy: true });
    try {
      const blob = await api.blob(paths.proof(nodeId, at));
      save(new Blob([blob], { type: 'application/json' }), at === undefined ? `locus-proof-${file}.json` : `locus-proof-${file}-${at.replace(/[:.]/g, '-')}.json`);
      setState({ busy: false });
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  };
  return (
    <span className="proof">
      <button type="button" onClick={() => void download()} disabled={state.busy} aria-label={at === undefined ? undefined : `Download the proof of ${name}'s verdict of ${at}`}>
        {state.busy ? 'Preparing…' : at === undefined ? 'Download proof bundle' : 'proof'}
      </button>
      {state.error && (
        <span className="status error" role="alert">
          {state.error}
        </span>
      )}
    </span>
  );
}
