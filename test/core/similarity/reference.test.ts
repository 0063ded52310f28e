/**
 * Every similarity against the independent numpy implementation of
 * test/fixtures/make_similarity_fixtures.py (ports of rsatoolbox's and netrep's code, ridge with
 * leave-one-out penalties), to 1e-9.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { responseMatrix } from '../../../src/core/matrix.js';
import { splitHalfReliability } from '../../../src/core/similarity/ceiling.js';
import { factorOfMatrix } from '../../../src/core/similarity/factor.js';
import { linearPredictivity } from '../../../src/core/similarity/predictivity.js';
import { correlationRdm, crossValidatedRdm, upperTriangle } from '../../../src/core/similarity/rdm.js';
import { rdmSpearman, rdmWhitenedCosine } from '../../../src/core/similarity/rsa.js';
import { shapeDistance, shapeDistanceInSample } from '../../../src/core/similarity/shape.js';
import { FIXTURES } from '../../helpers.js';

const ref = JSON.parse(readFileSync(join(FIXTURES, 'similarity', 'reference.json'), 'utf8'));
const n: number = ref.n;
const fold = Int32Array.from(ref.fold as number[]);
const mat = (m: { d: number; values: number[] }) => responseMatrix(n, m.d, Float64Array.from(m.values));
const A = mat(ref.A),
  B = mat(ref.B),
  C = mat(ref.C);
const close = (t: { true: (c: boolean, m?: string) => void }, got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => {
  t.true(got.length === want.length, `${what}: ${got.length} values, want ${want.length}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === null || Number.isNaN(want[i])) {
      t.true(Number.isNaN(got[i]), `${what}[${i}]: undefined in the reference, ${got[i]} here`);
      continue;
    }
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  t.true(worst < tol, `${what}: worst relative difference ${worst}`);
};

test('linear predictivity matches the numpy ridge with leave-one-out penalties (both directions; narrow and wide sources)', (t) => {
  const ab = linearPredictivity(factorOfMatrix(A), B, fold, ref.folds);
  close(t, ab.perNeuron, ref.predictivity.AtoB.perNeuron, 1e-9, 'A -> B per neuron');
  close(t, [ab.score], [ref.predictivity.AtoB.score], 1e-9, 'A -> B median');
  const ba = linearPredictivity(factorOfMatrix(B), A, fold, ref.folds); // 60 neurons > 40 stimuli: the Gram route
  close(t, ba.perNeuron, ref.predictivity.BtoA.perNeuron, 1e-9, 'B -> A per neuron');
  close(t, [ba.score], [ref.predictivity.BtoA.score], 1e-9, 'B -> A median');
});

test('RSA matches rsatoolbox (ported): correlation RDM, Spearman, whitened cosine, cross-validated RDM', (t) => {
  const da = correlationRdm(A.data, n, A.d),
    db = correlationRdm(B.data, n, B.d);
  close(t, upperTriangle(da, n), ref.rsa.rdmA, 1e-12, 'correlation RDM');
  close(t, [rdmSpearman(da, db, n)], [ref.rsa.spearmanAB], 1e-9, 'Spearman');
  close(t, [rdmWhitenedCosine(da, db, n)], [ref.rsa.cosineAB], 1e-9, 'whitened cosine');
  const cv = crossValidatedRdm(Float64Array.from(ref.half1), Float64Array.from(ref.half2), n, 60);
  close(t, upperTriangle(cv, n), ref.rsa.cvRdm, 1e-12, 'cross-validated RDM');
  close(t, [rdmSpearman(da, cv, n)], [ref.rsa.spearmanACv], 1e-9, 'Spearman vs cross-validated');
  close(t, [rdmWhitenedCosine(da, cv, n)], [ref.rsa.cosineACv], 1e-9, 'whitened cosine vs cross-validated');
});

test('shape metrics match netrep (ported): cross-validated angles for alpha 1, 0.5, 0 and the in-sample Procrustes angle', (t) => {
  const fa = factorOfMatrix(A),
    fb = factorOfMatrix(B),
    fc = factorOfMatrix(C);
  close(t, shapeDistance(fa, fb, 1, fold, ref.folds).perFold, ref.shape.AB_alpha1, 1e-9, 'A-B alpha 1 (zero-padded in netrep)');
  close(t, shapeDistance(fa, fc, 1, fold, ref.folds).perFold, ref.shape.AC_alpha1, 1e-9, 'A-C alpha 1');
  close(t, shapeDistance(fa, fc, 0.5, fold, ref.folds).perFold, ref.shape.AC_alpha05, 1e-9, 'A-C alpha 0.5');
  close(t, shapeDistance(fa, fc, 0, fold, ref.folds).perFold, ref.shape.AC_alpha0, 1e-9, 'A-C alpha 0');
  close(t, [shapeDistanceInSample(fa, fb, 1)], [ref.shape.AB_insample_alpha1], 1e-9, 'in-sample');
});

test('split-half reliability and its Spearman-Brown correction match numpy', (t) => {
  const s = splitHalfReliability(responseMatrix(n, 60, Float64Array.from(ref.half1)), responseMatrix(n, 60, Float64Array.from(ref.half2)));
  close(t, s.splitHalf, ref.splitHalf.r, 1e-12, 'split-half r');
  close(t, s.reliability, ref.splitHalf.reliability, 1e-12, 'reliability');
});
