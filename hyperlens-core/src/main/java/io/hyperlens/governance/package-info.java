/**
 * Governance values shared by the modules: a policy's decision and where decisions are recorded.
 */
package io.hyperlens.governance;
