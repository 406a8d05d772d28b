/**
 * Operator routes (admins only): `doctor` (stores, catalog, unsettled writes, backup
 * divergences) and `resync` (repair the divergences: core's `resync`).
 */
import { resync } from "@strongbox/core";
import { doctor } from "../doctor.js";
import { API } from "./admin-support.js";
import { audited } from "./audited.js";
import { defineRoute } from "./route.js";
import { doctorReport, resyncReport } from "./schemas.js";

const TAG = "admin";

/** The operator routes. */
export const adminRoutes = [
	defineRoute({
		method: "GET",
		url: `${API}/admin/doctor`,
		operationId: "doctor",
		summary:
			"Check every store (the backup included) and the catalog; count unsettled writes; list backup divergences",
		tag: TAG,
		auth: "admin",
		responses: {
			200: { description: "The report (also when a check failed)", schema: doctorReport },
		},
		errors: [401, 403, 429],
		async handler(ctx) {
			const report = await audited(ctx, { op: "admin.doctor", kind: "read" }, () =>
				doctor(ctx.services.runtime),
			);
			return { body: report };
		},
	}),
	defineRoute({
		method: "POST",
		url: `${API}/admin/resync`,
		operationId: "resync",
		summary:
			"Copy the primary store's current values to the backup for every recorded divergence, then clear it",
		tag: TAG,
		auth: "admin",
		responses: { 200: { description: "What was repaired and what was not", schema: resyncReport } },
		errors: [401, 403, 429, 503],
		async handler(ctx) {
			const { runtime } = ctx.services;
			const report = await audited(ctx, { op: "admin.resync", kind: "write" }, () =>
				resync(runtime.secrets, runtime.divergences),
			);
			return { body: report };
		},
	}),
];
