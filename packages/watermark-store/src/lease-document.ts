import { z } from "zod";

const instantSchema = z.iso.datetime({ offset: true });

/** Who holds (or held) a table: enough for an operator to find the process. */
const leaseHolderSchema = z.object({
  /** `host/pid/runId`: unique per run, so two runs never mistake each other's lease for their own. */
  id: z.string().min(1),
  host: z.string(),
  pid: z.number().int().nonnegative(),
  runId: z.string().min(1),
});

/**
 * The run lease of one table at `_state/<schema.table>/lease.json`. A run acquires it
 * before planning, renews it while it works (heartbeat) and releases it at the end;
 * it is live while `releasedAt` is null and `expiresAt` lies ahead. Every change is a
 * compare-and-set write against the version read, so two runs cannot both hold it.
 * Released leases are kept (not deleted) so the last holder stays visible.
 */
export const leaseDocumentSchema = z.object({
  version: z.literal(1),
  table: z.string().min(1),
  holder: leaseHolderSchema,
  acquiredAt: instantSchema,
  renewedAt: instantSchema,
  expiresAt: instantSchema,
  releasedAt: instantSchema.nullable(),
  /** Set when this holder took the table over from a run whose lease had expired or whose process died. */
  takenOverFrom: z
    .object({
      holderId: z.string(),
      renewedAt: instantSchema,
      expiresAt: instantSchema,
      /** The run that held the table: recovery cleans up what it staged without committing. */
      runId: z.string().optional(),
      /** `expired`: not renewed within the timeout; `holder-dead`: its process on this host is gone. */
      reason: z.enum(["expired", "holder-dead"]).optional(),
    })
    .nullable(),
  /** Set when an operator broke the lease (`sluice watermark force-reset`): who and when. */
  brokenBy: z.string().optional(),
});

export type LeaseDocument = z.infer<typeof leaseDocumentSchema>;
export type LeaseHolder = LeaseDocument["holder"];
