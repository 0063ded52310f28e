// The one Web Worker API the app uses that TypeScript's DOM library does not declare (it is in the
// WebWorker library, which cannot be combined with DOM in one program).
declare class FileReaderSync {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
