import { describe, expect, it } from "vitest";
import { Store } from "./db.js";
import { encode } from "./encode.js";
import { FrameReader, FrameWriter } from "./row-frame.js";
import { table } from "./tables.js";

/**
 * Rows go into DuckDB a data chunk (2,048 rows) at a time: every type, NULL in every column,
 * lists of every length and chunk boundaries must read back exactly as they went in.
 */
describe("rows through data chunks", () => {
  it("read back exactly: every column type, NULLs, lists and times, across chunk boundaries", async () => {
    const store = await Store.open(":memory:");
    try {
      const n = 5000; // three chunks, the last one partial
      const results = Array.from({ length: n }, (_, i) => ({
        run_id: "r",
        case_id: `c${i}`,
        agent: i % 2 ? "a" : "b",
        epoch: i % 3,
        workflow: "w",
        incident_id: i % 5 === 0 ? null : `inc-${i}`,
        tags: Array.from({ length: i % 4 }, (_, k) => `t${k}\u0000${i}`),
        alert_severity: "high",
        label_verdict: i % 7 === 0 ? null : "true_positive",
        label_escalate: i % 11 === 0 ? null : i % 2 === 0,
        verdict: "false_positive",
        escalate: i % 2 === 1,
        confidence: i % 13 === 0 ? null : i / n,
        tokens_in: i % 17 === 0 ? null : 2 ** 40 + i,
        tokens_out: i,
        cost_usd: i * 1e-6,
        hallucinated: i % 3 === 0,
        hallucination_count: i % 2 ? -i : i,
        time_to_triage_ms: i % 19 === 0 ? null : i * 1.5,
      }));
      const transcripts = Array.from({ length: n }, (_, i) => ({
        run_id: "r",
        case_id: `c${i}`,
        agent: "a",
        epoch: 0,
        output: i % 9 === 0 ? null : { verdict: "x", n: i, text: `é€😀 "${i}"\n` },
        error: i % 9 === 0 ? `err ${i}` : null,
        started_at: i % 23 === 0 ? null : new Date(Date.UTC(2026, 0, 1) + i * 1234),
        wall_ms: i,
      }));
      await store.appendBatch({
        case_results: results.map((r) => encode("case_results", r)),
        transcripts: transcripts.map((t) => encode("transcripts", t)),
      });
      const back = await store.query<Record<string, unknown>>(
        `SELECT case_id, agent, epoch, incident_id, to_json(tags)::VARCHAR AS tags, label_verdict, label_escalate,
           escalate, confidence, tokens_in, tokens_out, cost_usd, hallucinated, hallucination_count, time_to_triage_ms,
           human_only
         FROM case_results ORDER BY rowid`,
      );
      expect(back).toHaveLength(n);
      back.forEach((b, i) => {
        const r = results[i]!;
        expect(b).toEqual({
          case_id: r.case_id,
          agent: r.agent,
          epoch: r.epoch,
          incident_id: r.incident_id,
          tags: JSON.stringify(r.tags),
          label_verdict: r.label_verdict,
          label_escalate: r.label_escalate,
          escalate: r.escalate,
          confidence: r.confidence,
          tokens_in: r.tokens_in,
          tokens_out: r.tokens_out,
          cost_usd: r.cost_usd,
          hallucinated: r.hallucinated,
          hallucination_count: r.hallucination_count,
          time_to_triage_ms: r.time_to_triage_ms,
          human_only: null, // a column the rows never name
        });
      });
      const tb = await store.query<{ output: string | null; error: string | null; t: string | null; wall_ms: number }>(
        "SELECT output, error, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS t, wall_ms FROM transcripts ORDER BY rowid",
      );
      tb.forEach((b, i) => {
        const t = transcripts[i]!;
        expect(b.output === null ? null : JSON.parse(b.output)).toEqual(t.output);
        expect(b.error).toBe(t.error);
        expect(b.t).toBe(t.started_at ? t.started_at.toISOString() : null);
        expect(b.wall_ms).toBe(t.wall_ms);
      });
    } finally {
      store.close();
    }
  });

  it("keeps nothing of a refused row, and reads a time without a zone as UTC", async () => {
    const store = await Store.open(":memory:");
    try {
      const tx = await store.openTransaction(["transcripts"]);
      const row = (case_id: string, started_at: unknown, error: string | null) =>
        encode("transcripts", {
          run_id: "r",
          case_id,
          agent: "a",
          epoch: 0,
          output: { ok: 1 },
          error,
          started_at,
          wall_ms: 1,
        });
      tx.append("transcripts", row("c1", "2026-01-01 10:00:00", null));
      // NULL output and error, then a time that is none: refused
      expect(() =>
        tx.append(
          "transcripts",
          encode("transcripts", { run_id: "r", case_id: "bad", agent: "a", epoch: 0, started_at: "not a time" }),
        ),
      ).toThrow(/not a time/);
      tx.append("transcripts", row("c2", "2026-01-01T10:00:00+02:00", "e"));
      await tx.commit();
      const back = await store.query<{ case_id: string; output: string | null; error: string | null; t: string }>(
        "SELECT case_id, output, error, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS t FROM transcripts ORDER BY rowid",
      );
      expect(back).toEqual([
        { case_id: "c1", output: '{"ok":1}', error: null, t: "2026-01-01 10:00:00" },
        { case_id: "c2", output: '{"ok":1}', error: "e", t: "2026-01-01 08:00:00" },
      ]);
    } finally {
      store.close();
    }
  });

  it("store a replay worker's frame exactly as the same rows appended as values, and skip rows whole", async () => {
    const direct = await Store.open(":memory:");
    const framed = await Store.open(":memory:");
    try {
      const n = 3000; // past one data chunk
      const rows = Array.from({ length: n }, (_, i) =>
        encode("tool_calls", {
          run_id: "r",
          case_id: `c${i}`,
          agent: "a",
          epoch: i % 2,
          seq: i,
          step: i % 9 === 0 ? null : i * 2,
          // a lone surrogate (text cut mid-character) goes in as U+FFFD either way
          tool: i % 7 === 0 ? `t\ud800${i}` : `t\u0000${i}`,
          source: i % 5 === 0 ? null : 'é€😀 "quoted"\n',
          scope: "read",
          input: { user: `u${i}`, big: "x".repeat(i % 3 === 0 ? 70000 : 3) },
          status: "ok",
          evidence_ids: Array.from({ length: i % 4 }, (_, k) => `ev-${k}-ü`),
          latency_ms: i % 11 === 0 ? null : i / 7,
          time: i % 13 === 0 ? null : "2026-01-01T00:00:00Z",
        }),
      );
      const starts = Array.from({ length: n }, (_, i) =>
        encode("transcripts", {
          run_id: "r",
          case_id: `c${i}`,
          agent: "a",
          epoch: 0,
          output: i % 4 === 0 ? null : { ok: i },
          error: null,
          started_at: i % 6 === 0 ? null : i % 2 ? "2026-03-01 10:00:00" : "2026-03-01T10:00:00.123+02:00",
          wall_ms: i,
        }),
      );
      await direct.appendBatch({ tool_calls: rows, transcripts: starts });
      const w = new FrameWriter();
      const types = (t: string) => table(t).columns.map(([, type]) => type);
      // every third row written twice: the reader skips the first copy, as a resumed run skips a stored case row
      for (let i = 0; i < n; i++) {
        if (i % 3 === 0) w.row(types("tool_calls"), rows[i]!);
        w.row(types("tool_calls"), rows[i]!);
        w.row(types("transcripts"), starts[i]!);
      }
      const frame = w.take();
      const r = new FrameReader(frame, 0);
      const tx = await framed.openTransaction(["tool_calls", "transcripts"]);
      for (let i = 0; i < n; i++) {
        if (i % 3 === 0) for (let c = 0; c < types("tool_calls").length; c++) r.skip();
        tx.appendFrom("tool_calls", r);
        tx.appendFrom("transcripts", r);
      }
      await tx.commit();
      expect(r.pos).toBe(frame.length);
      for (const t of ["tool_calls", "transcripts"]) {
        const q = `SELECT to_json(x)::VARCHAR AS j FROM ${t} x ORDER BY rowid`;
        const a = await direct.query<{ j: string }>(q);
        expect(a).toHaveLength(n);
        expect(await framed.query<{ j: string }>(q)).toEqual(a);
      }
    } finally {
      direct.close();
      framed.close();
    }
  });
});
