// Refuses every non-loopback connection, so a test can never reach a real Vault by accident.
import "@strongbox/testkit/network-guard";
