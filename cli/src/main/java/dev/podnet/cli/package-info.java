/**
 * The {@code podnet} command line: the model commands (network, endpoint, ipam, reconcile),
 * {@code podnet ip}, and the harnesses' entry ({@code churn}).
 */
package dev.podnet.cli;
