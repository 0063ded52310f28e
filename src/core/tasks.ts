/** Loads every module that defines parallel tasks, so a worker thread knows them all. */
import './linalg.js';
import './complexity1.js';
import './complexity2.js';
