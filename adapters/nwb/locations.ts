/**
 * Brain-area names from electrode location strings. Many NWB conversions (e.g. the Svoboda lab's)
 * store the whole description as one string, "brain_region: Thalamus; brain_subregion: N/A; ...";
 * the area is then its brain_region (plus the subregion when one is given).
 */

const MISSING = new Set(['', 'n/a', 'na', 'none', 'unknown', 'nan']);

/** The key-value pairs of a "key: value; key: value" string, or null when it has another form. */
export function locationFields(location: string): Map<string, string> | null {
  const parts = location
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 2) return null;
  const fields = new Map<string, string>();
  for (const p of parts) {
    const m = /^([A-Za-z_][\w ]*?)\s*[:=]\s*(.*)$/.exec(p);
    if (!m) return null;
    fields.set(m[1].trim().toLowerCase().replace(/\s+/g, '_'), m[2].trim());
  }
  return fields;
}

/** The area a location string names: its brain_region (and subregion) when it has that form, else the string. */
export function areaName(location: string): string {
  const trimmed = location.trim();
  const f = locationFields(trimmed);
  const region = f?.get('brain_region') ?? f?.get('region') ?? f?.get('location');
  if (!region || MISSING.has(region.toLowerCase())) return trimmed;
  const sub = f?.get('brain_subregion') ?? f?.get('subregion');
  return sub && !MISSING.has(sub.toLowerCase()) ? `${region} ${sub}` : region;
}
