/**
 * NEUROREP_KERNELS=js runs the JavaScript kernels instead of the WebAssembly ones (to compare, or
 * where WebAssembly misbehaves). Applied by the command line and by each worker thread at start,
 * since every thread has its own instance of the kernels.
 */

import { setWasmKernelsEnabled } from '../core/wasm/kernels.js';

export function applyKernelsSwitch(): void {
  if (process.env.NEUROREP_KERNELS === 'js') setWasmKernelsEnabled(false);
}
