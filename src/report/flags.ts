/**
 * Library messages name options as the API spells them, in backticks (`matchNeurons`, `key NAME`);
 * the CLI and the viewer (whose readers type commands) show the flag instead (--match-neurons,
 * --key NAME). One table, so the two vocabularies cannot drift apart: a test checks that every entry
 * is a real flag of some command.
 */

/** API option name -> CLI flag. */
export const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  align: '--align',
  areaOrder: '--area-order',
  bin: '--bin',
  components: '--components',
  folds: '--folds',
  groupBy: '--group-by',
  key: '--key',
  matchNeurons: '--match-neurons',
  maxArrayBytes: '--max-array-bytes',
  outRecord: '--out-record',
  scale: '--scale',
  scales: '--scales',
  sliding: '--sliding',
  stimulus: '--stimulus',
  stimulusIds: '--stimulus-ids',
  store: '--store',
  table: '--table',
  width: '--width',
  window: '--window',
};

/** A library message with its `option` names (and `option PLACEHOLDER`s) as CLI flags. */
export function withFlags(message: string): string {
  return message.replace(/`([A-Za-z]+)((?: [A-Z]+)?)`/g, (all, name: string, placeholder: string) =>
    Object.hasOwn(FLAG_OF_OPTION, name) ? FLAG_OF_OPTION[name] + placeholder : all,
  );
}
