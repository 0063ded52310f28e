/** Loads every module that defines parallel tasks, so a worker thread knows them all. */
import './linalg/products.js';
import './linalg/tridiagonalize.js';
import './linalg/bulgeChasing.js';
import './complexity/definition1.js';
import './complexity/definition2.js';
