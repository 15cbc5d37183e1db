import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../types";
import { auditCsv, auditParams, auditQuery, csvCell, csvFileName, endOfDay, noFilters, startOfDay } from "./audit";

describe("dates", () => {
  it("reads a date input as the start and the end of that day in local time", () => {
    expect(startOfDay("2026-11-26")).toBe(new Date(2026, 10, 26).getTime());
    expect(endOfDay("2026-11-26")).toBe(new Date(2026, 10, 27).getTime() - 1);
    expect(endOfDay("2026-12-31")).toBe(new Date(2027, 0, 1).getTime() - 1);
  });

  it("refuses dates that do not exist", () => {
    expect(startOfDay("2026-02-30")).toBeNull();
    expect(startOfDay("26/11/2026")).toBeNull();
    expect(endOfDay("")).toBeNull();
  });
});

describe("auditParams", () => {
  it("leaves out empty filters", () => {
    expect(auditParams(noFilters)).toEqual({ params: {}, problems: [] });
  });

  it("turns every filter into the API's parameters", () => {
    const { params, problems } = auditParams({
      actor: " 3 ",
      action: "episode.",
      record_type: " client ",
      record_id: "17",
      from: "2026-11-01",
      to: "2026-11-26",
    });
    expect(problems).toEqual([]);
    expect(params).toEqual({
      actor: 3,
      action: "episode.",
      record_type: "client",
      record_id: 17,
      from: new Date(2026, 10, 1).getTime(),
      to: new Date(2026, 10, 27).getTime() - 1,
    });
  });

  it("names each field that cannot be used", () => {
    const { params, problems } = auditParams({ ...noFilters, actor: "0", record_id: "4.5", action: "episode create", from: "2026-11-26", to: "2026-11-01" });
    expect(params).toEqual({ from: new Date(2026, 10, 26).getTime(), to: new Date(2026, 10, 2).getTime() - 1 });
    expect(problems.map((p) => p.field)).toEqual(["actor", "record_id", "action", "to"]);
  });

  it("names a date that is not a date", () => {
    expect(auditParams({ ...noFilters, from: "2026-02-30" }).problems).toEqual([{ field: "from", message: "Use a date like 2026-11-26." }]);
  });
});

describe("auditQuery", () => {
  it("adds the page size and where to go on from", () => {
    expect(auditQuery({ action: "auth.", actor: 2 }, 100, null)).toBe("?action=auth.&actor=2&limit=100");
    expect(auditQuery({}, 50, 40)).toBe("?limit=50&after=40");
  });
});

describe("CSV", () => {
  it("quotes what needs quoting and keeps formulas from running", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvCell("-1+1")).toBe("'-1+1");
    expect(csvCell("@here,now")).toBe(`"'@here,now"`);
    expect(csvCell(12)).toBe("12");
    expect(csvCell(null)).toBe("");
  });

  it("writes the shown rows under a header, with the actor's name", () => {
    const rows: AuditEntry[] = [
      { id: 1, at: "2026-05-07T09:00:02.000Z", actor: null, action: "organisation.create", record_type: "organisation", record_id: 1, outcome: "ok" },
      { id: 2, at: "2026-05-07T09:00:04.000Z", actor: 1, action: "user.create", record_type: "user", record_id: null, outcome: "denied" },
      { id: 3, at: "2026-05-07T09:00:05.000Z", actor: 9, action: "auth.login", record_type: "user", record_id: 9, outcome: "ok" },
    ];
    const names = new Map([[1, "Morgan Vale, admin"]]);
    expect(auditCsv(rows, names)).toBe(
      "id,at,actor,actor_name,action,record_type,record_id,outcome\r\n" +
        "1,2026-05-07T09:00:02.000Z,,Tandem,organisation.create,organisation,1,ok\r\n" +
        '2,2026-05-07T09:00:04.000Z,1,"Morgan Vale, admin",user.create,user,,denied\r\n' +
        "3,2026-05-07T09:00:05.000Z,9,,auth.login,user,9,ok\r\n",
    );
  });

  it("names the file for the local day", () => {
    expect(csvFileName(new Date(2026, 0, 5, 23, 59))).toBe("tandem-audit-2026-01-05.csv");
  });
});
