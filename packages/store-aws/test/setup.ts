// Installs the network guard for the whole run: tests reach loopback (the emulator)
// only; the real-service run sets STRONGBOX_TEST_ALLOW_NETWORK=1. A file of ours so that
// the import resolves through vite with the `strongbox-source` condition.
import "@strongbox/testkit/network-guard";
