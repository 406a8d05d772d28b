// Refuses every non-loopback connection during tests (STRONGBOX_TEST_ALLOW_NETWORK=1 lifts
// it for the real-service run). Imported here so vite resolves it with the source condition.
import "@strongbox/testkit/network-guard";
