/** Saves a Blob as a file through a temporary link. */
export function save(blob: Blob, filename: string): void {
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
