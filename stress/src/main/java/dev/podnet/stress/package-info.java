/**
 * The harnesses: churn (burst, steady, kill -9 with its worker and invariants), their reports, and
 * the argument parsing the command line shares with them.
 */
package dev.podnet.stress;
