/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client
 * library: counters and histograms keyed by a few bounded labels. Labels are route
 * templates (`/api/v1/secrets/:id`), never a URL, an id, a name or a value.
 */
import type { SecretsCache, StoreCallEvent } from "@strongbox/core";
import { INVALIDATION_KINDS, type InvalidationStats } from "./invalidation.js";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Labels come from a closed set (routes, store ops, status codes); the cap is a guard.
const MAX_SERIES = 5000;

type Labels = Record<string, string>;

// Each metric is always called with the same label names in the same order, so the
// values alone identify a series.
function key(labels: Labels): string {
	let k = "";
	for (const name in labels) k += `${labels[name]}\u0000`;
	return k;
}

function escapeLabel(value: string): string {
	return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function format(labels: Labels, extra?: Labels): string {
	const all = { ...labels, ...extra };
	const parts = Object.entries(all).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
	return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

interface CounterSeries {
	labels: Labels;
	value: number;
}

interface HistogramSeries {
	labels: Labels;
	counts: number[];
	sum: number;
	count: number;
}

class Counter {
	readonly series = new Map<string, CounterSeries>();
	constructor(
		readonly name: string,
		readonly help: string,
	) {}
	inc(labels: Labels = {}, by = 1): void {
		const s = this.get(labels);
		if (s) s.value += by;
	}
	/** The series of `labels` (created at 0), or `undefined` past the cap. */
	get(labels: Labels): CounterSeries | undefined {
		const k = key(labels);
		let s = this.series.get(k);
		if (!s && this.series.size < MAX_SERIES) {
			s = { labels, value: 0 };
			this.series.set(k, s);
		}
		return s;
	}
	render(): string[] {
		const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
		if (this.series.size === 0) lines.push(`${this.name} 0`);
		for (const s of this.series.values()) lines.push(`${this.name}${format(s.labels)} ${s.value}`);
		return lines;
	}
}

class Histogram {
	readonly series = new Map<string, HistogramSeries>();
	constructor(
		readonly name: string,
		readonly help: string,
	) {}
	observe(labels: Labels, seconds: number): void {
		const s = this.get(labels);
		if (s) Histogram.add(s, seconds);
	}
	/** The series of `labels` (created empty), or `undefined` past the cap. */
	get(labels: Labels): HistogramSeries | undefined {
		const k = key(labels);
		let s = this.series.get(k);
		if (!s && this.series.size < MAX_SERIES) {
			s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
			this.series.set(k, s);
		}
		return s;
	}
	static add(s: HistogramSeries, seconds: number): void {
		for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.counts[i]!++;
		s.sum += seconds;
		s.count++;
	}
	render(): string[] {
		const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
		for (const s of this.series.values()) {
			BUCKETS.forEach((le, i) => {
				lines.push(`${this.name}_bucket${format(s.labels, { le: String(le) })} ${s.counts[i]}`);
			});
			lines.push(`${this.name}_bucket${format(s.labels, { le: "+Inf" })} ${s.count}`);
			lines.push(`${this.name}_sum${format(s.labels)} ${s.sum}`);
			lines.push(`${this.name}_count${format(s.labels)} ${s.count}`);
		}
		return lines;
	}
}

/** The server's metrics. */
export interface Metrics {
	/** One HTTP request answered. */
	request(method: string, route: string, status: number, seconds: number): void;
	/** One store call (the `observe` callback of core's `createStore`/`loadStore`). */
	storeCall(event: StoreCallEvent): void;
	/** Audit entries that could not be stored. */
	auditFailure(count: number): void;
	/** A reconciliation run and its outcome. */
	reconcile(outcome: "ok" | "error", settled: number): void;
	/** Reports the values cache's counters with the other metrics. */
	watchCache(cache: SecretsCache | undefined): void;
	/** Reports the eviction notices' counters (PostgreSQL) with the other metrics. */
	watchInvalidation(source: { readonly enabled: boolean; stats(): InvalidationStats }): void;
	/** The text exposition. */
	render(): string;
}

function cacheLines(cache: SecretsCache | undefined): string[] {
	if (!cache) return [];
	const stats = cache.stats();
	return [
		"# HELP strongbox_cache_hits_total Reads served from the values cache.",
		"# TYPE strongbox_cache_hits_total counter",
		`strongbox_cache_hits_total ${stats.hits}`,
		"# HELP strongbox_cache_misses_total Reads that went to a store.",
		"# TYPE strongbox_cache_misses_total counter",
		`strongbox_cache_misses_total ${stats.misses}`,
		"# HELP strongbox_cache_entries Secrets held in the values cache.",
		"# TYPE strongbox_cache_entries gauge",
		`strongbox_cache_entries ${stats.size}`,
	];
}

function invalidationLines(source: { enabled: boolean; stats(): InvalidationStats } | undefined) {
	if (!source?.enabled) return [];
	const stats = source.stats();
	return [
		"# HELP strongbox_invalidations_sent_total Eviction notices sent to the other replicas (PostgreSQL NOTIFY).",
		"# TYPE strongbox_invalidations_sent_total counter",
		...INVALIDATION_KINDS.map(
			(k) => `strongbox_invalidations_sent_total{kind="${k}"} ${stats.sent[k]}`,
		),
		"# HELP strongbox_invalidations_received_total Eviction notices received (this replica's own included).",
		"# TYPE strongbox_invalidations_received_total counter",
		...INVALIDATION_KINDS.map(
			(k) => `strongbox_invalidations_received_total{kind="${k}"} ${stats.received[k]}`,
		),
		"# HELP strongbox_invalidation_send_failures_total Eviction notices that could not be sent.",
		"# TYPE strongbox_invalidation_send_failures_total counter",
		`strongbox_invalidation_send_failures_total ${stats.sendFailures}`,
		"# HELP strongbox_invalidation_reconnects_total Times the listening connection was re-established.",
		"# TYPE strongbox_invalidation_reconnects_total counter",
		`strongbox_invalidation_reconnects_total ${stats.reconnects}`,
		"# HELP strongbox_invalidation_listening Whether this replica listens for eviction notices (1) or not (0).",
		"# TYPE strongbox_invalidation_listening gauge",
		`strongbox_invalidation_listening ${stats.listening ? 1 : 0}`,
	];
}

/** Creates an empty metrics registry. */
export function createMetrics(): Metrics {
	const requests = new Counter("strongbox_http_requests_total", "HTTP requests answered.");
	const latency = new Histogram(
		"strongbox_http_request_duration_seconds",
		"HTTP request latency in seconds.",
	);
	const storeCalls = new Counter("strongbox_store_calls_total", "Store calls by operation.");
	const storeLatency = new Histogram(
		"strongbox_store_call_duration_seconds",
		"Store call latency in seconds.",
	);
	const auditFailures = new Counter(
		"strongbox_audit_failures_total",
		"Audit entries that could not be stored.",
	);
	const reconciles = new Counter("strongbox_reconcile_runs_total", "Reconciliation runs.");
	const settled = new Counter(
		"strongbox_reconcile_settled_total",
		"Interrupted writes settled and orphans removed by reconciliation.",
	);
	let cache: SecretsCache | undefined;
	let invalidation: { enabled: boolean; stats(): InvalidationStats } | undefined;
	// The series of each route, method and status, found without building label keys on
	// every request (route templates are the same string objects each time).
	const byRoute = new Map<
		string,
		Map<
			string,
			{ latency: HistogramSeries | undefined; byStatus: Map<number, CounterSeries | undefined> }
		>
	>();
	function requestSeries(method: string, route: string) {
		let byMethod = byRoute.get(route);
		if (!byMethod) {
			byMethod = new Map();
			byRoute.set(route, byMethod);
		}
		let series = byMethod.get(method);
		if (!series) {
			series = { latency: latency.get({ method, route }), byStatus: new Map() };
			// Past the cap, new series are not remembered here either (the registry refuses them).
			if (series.latency) byMethod.set(method, series);
		}
		return series;
	}
	return {
		watchCache(watched) {
			cache = watched;
		},
		watchInvalidation(source) {
			invalidation = source;
		},
		request(method, route, status, seconds) {
			const series = requestSeries(method, route);
			let counter = series.byStatus.get(status);
			if (counter === undefined) {
				counter = requests.get({ method, route, status: String(status) });
				if (counter) series.byStatus.set(status, counter);
			}
			if (counter) counter.value++;
			if (series.latency) Histogram.add(series.latency, seconds);
		},
		storeCall(event) {
			storeCalls.inc({ store: event.store, op: event.op, outcome: event.error ?? "ok" });
			storeLatency.observe({ store: event.store, op: event.op }, event.durationMs / 1000);
		},
		auditFailure(count) {
			auditFailures.inc({}, count);
		},
		reconcile(outcome, count) {
			reconciles.inc({ outcome });
			settled.inc({}, count);
		},
		render() {
			return `${[requests, latency, storeCalls, storeLatency, auditFailures, reconciles, settled]
				.flatMap((m) => m.render())
				.concat(cacheLines(cache), invalidationLines(invalidation))
				.join("\n")}\n`;
		},
	};
}
