// Small formatting helpers of the quantization report: escaping for HTML/SVG text, bytes and
// MACs in readable units, SQNR values and their quality band.

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** null means the int8 value was exact on every sample. */
export function formatDb(db: number | null): string {
  return db === null ? "exact" : `${db.toFixed(1)} dB`;
}

/**
 * Quality bands: above 30 dB int8 is close to transparent for these models; 20-30 dB is worth a
 * look (int16 for that layer, another observer); below 20 dB a layer usually costs accuracy.
 */
export function sqnrClass(db: number | null): "good" | "fair" | "poor" {
  if (db === null || db >= 30) return "good";
  return db >= 20 ? "fair" : "poor";
}
