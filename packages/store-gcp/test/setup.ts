// Installs the network guard for the whole run: refuses every non-loopback connection
// (the SDK would otherwise probe the GCE metadata server). A file of ours so that the
// import resolves through vite with the `strongbox-source` condition.
import "@strongbox/testkit/network-guard";
