/**
 * The {@code podnet} command line and the harnesses: churn (burst, steady, kill -9), {@code podnet
 * ip}, and the model commands.
 */
package dev.podnet.stress;
