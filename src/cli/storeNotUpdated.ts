/** The run was computed and printed, but the store could not be updated (exit code 2). */
export class StoreNotUpdated extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreNotUpdated';
  }
}
