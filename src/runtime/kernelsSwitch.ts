/**
 * How this process runs the WebAssembly kernels. NEUROREP_KERNELS=js runs the JavaScript kernels
 * instead (to compare, or where WebAssembly misbehaves). Otherwise V8 compiles the module with its
 * optimizing compiler from the start: a command runs each kernel about once, so the baseline
 * code that V8 would start with did most of the work (bulge chasing at n = 2000: 283 ms on the
 * first call, 113 ms once optimized; 135-168 ms on the first call with this). Applied by the
 * command line and by each worker thread at start (every thread has its own instance).
 */

import { setFlagsFromString } from 'node:v8';
import { setWasmKernelsEnabled } from '../core/wasm/kernels.js';

export function applyKernelsSwitch(): void {
  if (process.env.NEUROREP_KERNELS === 'js') setWasmKernelsEnabled(false);
  else setFlagsFromString('--no-liftoff');
}
