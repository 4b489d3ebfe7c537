/** Up to `max` names that look like `wanted` (case-insensitive substring or small edit distance), closest first. */
export function closeMatches(wanted: string, names: readonly string[], max = 5): string[] {
  const target = wanted.toLowerCase();
  const allowed = Math.max(2, Math.floor(target.length / 3));
  return names
    .map((name) => {
      const lower = name.toLowerCase();
      const contains = lower.includes(target) || target.includes(lower);
      return { name, distance: contains ? 0 : editDistance(target, lower) };
    })
    .filter((candidate) => candidate.distance <= allowed)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((candidate) => candidate.name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
