// Experiment names: what the create and rename dialogs accept before asking the server.

export function validateExperimentName(name: string, taken: string[] = [], current?: string): string | null {
  const n = name.trim();
  if (!n) return 'Give the experiment a name.';
  if (Array.from(n).length > 500) return 'At most 500 characters.';
  if (n !== current && taken.includes(n)) return `An experiment named “${n}” already exists.`;
  return null;
}
