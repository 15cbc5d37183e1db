// /admin/users: the organisation's people (filtered by role, paged), inviting staff with a
// one-time link, the invitations made, assigning a client to a therapist and linking a
// supervisor to a therapist. No client free text is shown: names and roles only.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, query } from "../../api";
import { ErrorNote, Field, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { formatDate, formatDateTime } from "../../texts";
import type { Page as PageOf, Role, User } from "../../types";
import { everyRow, gatherPage } from "./paging";
import type { InvitationCreated, InvitationRow, StaffRole } from "./types";
import { TableScroll } from "./Scroll";
import "./admin.css";

const PAGE_SIZE = 50;

export const roleNames: Record<Role, string> = {
  client: "Client",
  therapist: "Therapist",
  supervisor: "Supervisor",
  admin: "Service admin",
};

const filterNames: { value: Role | ""; label: string }[] = [
  { value: "", label: "Everyone" },
  { value: "client", label: "Clients" },
  { value: "therapist", label: "Therapists" },
  { value: "supervisor", label: "Supervisors" },
  { value: "admin", label: "Service admins" },
];

const statusNames: Record<InvitationRow["status"], string> = {
  pending: "Waiting to be used",
  used: "Used",
  expired: "Expired",
};

function usersPage(role: Role | "", after: number | null) {
  return api.get<PageOf<User>>(`/api/v1/users${query({ role: role || undefined, limit: PAGE_SIZE, after })}`);
}

export function People() {
  useTitle("People");
  // Everyone, for the choices below and for naming who made an invitation.
  const everyone = useLoad(() => everyRow<User>((after) => api.get(`/api/v1/users${query({ limit: 200, after })}`)), []);
  const [invitationsTick, setInvitationsTick] = useState(0);
  const users = everyone.data ?? [];
  return (
    <Page title="People" wide>
      <p>Everyone with an account in the service, invitations for new staff, and who works with whom.</p>
      <Invite onInvited={() => setInvitationsTick((t) => t + 1)} />
      <ErrorNote error={everyone.error} />
      {everyone.loading && !everyone.data ? <Loading what="Loading the people to choose from" /> : null}
      {everyone.data ? (
        <div class="grid-2 adm-forms">
          <AssignClient users={users} />
          <LinkSupervisor users={users} />
        </div>
      ) : null}
      <Invitations tick={invitationsTick} users={users} />
      <UserList />
    </Page>
  );
}

function UserList() {
  const [role, setRole] = useState<Role | "">("");
  const [rows, setRows] = useState<User[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  // Only the latest request may change the list (the filter can change while one is out).
  const latest = useRef(0);

  const load = async (after: number | null, which: Role | "") => {
    const request = ++latest.current;
    setLoading(true);
    setError(null);
    if (after === null) setRows([]);
    try {
      const page = await gatherPage((cursor) => usersPage(which, cursor), after, PAGE_SIZE);
      if (request !== latest.current) return;
      setRows((shown) => (after === null ? page.items : [...shown, ...page.items]));
      setNext(page.next_after);
    } catch (caught) {
      if (request === latest.current) setError(caught as ApiError);
    } finally {
      if (request === latest.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load(null, role);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [role]);

  return (
    <section>
      <h2 id="people-heading">Accounts</h2>
      <div class="adm-filter-row">
        <Field id="people-filter" label="Show">
          <select id="people-filter" value={role} onChange={(e) => setRole(e.currentTarget.value as Role | "")}>
            {filterNames.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNote error={error} />
      <TableScroll label="Accounts">
        <table class="adm-table">
          <caption class="visually-hidden">Accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Account</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.display_name}</th>
                <td class="adm-break">{u.email}</td>
                <td>
                  {roleNames[u.role] ?? u.role}
                  {u.trainee ? <span class="tag tag-ok">In training</span> : null}
                </td>
                <td>{u.active ? "Active" : <span class="tag">Switched off</span>}</td>
                <td>{formatDate(u.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {loading ? <Loading what="Loading people" /> : null}
      {!loading && rows.length === 0 && !error ? <p class="quiet">Nobody with that role yet.</p> : null}
      {next !== null ? (
        <p>
          <button type="button" onClick={() => load(next, role)} disabled={loading}>
            Load more people
          </button>
        </p>
      ) : null}
    </section>
  );
}

function Invite({ onInvited }: { onInvited: () => void }) {
  const [role, setRole] = useState<StaffRole>("therapist");
  const [name, setName] = useState("");
  const [trainee, setTrainee] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [made, setMade] = useState<{ link: string; expires: string; name: string } | null>(null);
  const [copied, setCopied] = useState<string>("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!name.trim()) {
      setError(new ApiError(400, "invalid-argument", "Write the name the new account will carry.", "display_name"));
      return;
    }
    setBusy(true);
    try {
      const body = role === "therapist" ? { role, display_name: name.trim(), trainee } : { role, display_name: name.trim() };
      const created = await api.post<InvitationCreated>("/api/v1/invitations", body);
      setMade({ link: `${location.origin}/join#${created.token}`, expires: created.expires_at, name: name.trim() });
      setCopied("");
      setName("");
      setTrainee(false);
      onInvited();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.link);
      setCopied("Copied. Send it to them yourself, in a way only they will see.");
    } catch {
      const input = document.getElementById("invitation-link") as HTMLInputElement | null;
      input?.select();
      setCopied("This browser would not copy it: the link is selected, so copy it with your keyboard.");
    }
  };

  return (
    <section class="card">
      <h2 id="invite-heading">Invite a member of staff</h2>
      <p>
        Tandem makes a link that works once, for seven days. The person opens it, chooses their own e-mail and
        password, and gets the role you give here.
      </p>
      <form class="stack" onSubmit={submit}>
        <div class="grid-2">
          <Field id="invite-role" label="Role">
            <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as StaffRole)}>
              <option value="therapist">Therapist</option>
              <option value="supervisor">Supervisor</option>
              <option value="admin">Service admin</option>
            </select>
          </Field>
          <Field id="invite-name" label="Name">
            <input id="invite-name" type="text" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
        </div>
        {role === "therapist" ? (
          <div class="adm-check">
            <input id="invite-trainee" type="checkbox" aria-describedby="invite-trainee-hint" checked={trainee} onChange={(e) => setTrainee(e.currentTarget.checked)} />
            <label for="invite-trainee">In training</label>
            <p class="hint" id="invite-trainee-hint">A therapist in training also keeps a reflection log that their supervisor reads.</p>
          </div>
        ) : null}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          Invite
        </button>
      </form>
      {made ? (
        <div class="note note-ok adm-invitation">
          <p role="status">
            The invitation for {made.name} is ready. It works once, until {formatDateTime(made.expires)}. Tandem will not
            show this link again.
          </p>
          <div class="field">
            <label for="invitation-link">Invitation link</label>
            <div class="adm-copy">
              <input id="invitation-link" type="text" readOnly value={made.link} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" onClick={copy}>
                Copy
              </button>
            </div>
          </div>
          <p aria-live="polite">{copied}</p>
        </div>
      ) : null}
    </section>
  );
}

function Invitations({ tick, users }: { tick: number; users: User[] }) {
  const [rows, setRows] = useState<InvitationRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const names = new Map(users.map((u) => [u.id, u.display_name]));

  const load = async (after: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<PageOf<InvitationRow>>(`/api/v1/invitations${query({ limit: PAGE_SIZE, after })}`);
      setRows((shown) => (after === null ? page.items : [...shown, ...page.items]));
      setNext(page.items.length > 0 ? page.next_after : null);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick]);

  return (
    <section>
      <h2 id="invitations-heading">Invitations</h2>
      <ErrorNote error={error} />
      {!loading && rows.length === 0 && !error ? <p class="quiet">No invitations made yet.</p> : null}
      {rows.length > 0 ? (
        <TableScroll label="Invitations">
          <table class="adm-table">
            <caption class="visually-hidden">Invitations</caption>
            <thead>
              <tr>
                <th scope="col">For</th>
                <th scope="col">Role</th>
                <th scope="col">Made by</th>
                <th scope="col">Made</th>
                <th scope="col">Works until</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((inv) => (
                <tr key={inv.id}>
                  <th scope="row">
                    {inv.display_name ?? (inv.client !== null ? `Client record ${inv.client}` : "–")}
                    {inv.trainee ? <span class="tag tag-ok">In training</span> : null}
                  </th>
                  <td>{roleNames[inv.role] ?? inv.role}</td>
                  <td>{names.get(inv.created_by) ?? `Account ${inv.created_by}`}</td>
                  <td>{formatDate(inv.created_at)}</td>
                  <td>{formatDateTime(inv.expires_at)}</td>
                  <td>
                    <span class={`tag ${inv.status === "pending" ? "tag-warm" : inv.status === "used" ? "tag-ok" : ""}`}>{statusNames[inv.status] ?? inv.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      {loading ? <Loading what="Loading invitations" /> : null}
      {next !== null ? (
        <p>
          <button type="button" onClick={() => load(next)} disabled={loading}>
            Load more invitations
          </button>
        </p>
      ) : null}
    </section>
  );
}

function byName(a: User, b: User): number {
  return a.display_name.localeCompare(b.display_name);
}

function AssignClient({ users }: { users: User[] }) {
  const clients = users.filter((u) => u.role === "client" && u.client_id !== null).sort(byName);
  const therapists = users.filter((u) => u.role === "therapist" && u.active).sort(byName);
  const [client, setClient] = useState("");
  const [record, setRecord] = useState("");
  const [therapist, setTherapist] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone("");
    const id = record.trim() ? Number(record.trim()) : Number(client);
    if (!Number.isInteger(id) || id < 1) {
      setError(new ApiError(400, "invalid-argument", "Choose a client, or write the number of their record.", "client"));
      return;
    }
    if (!therapist) {
      setError(new ApiError(400, "invalid-argument", "Choose the therapist.", "therapist"));
      return;
    }
    setBusy(true);
    try {
      await api.put(`/api/v1/clients/${id}/therapist`, { therapist: Number(therapist) });
      const who = clients.find((u) => u.client_id === id)?.display_name ?? `Client record ${id}`;
      const to = therapists.find((u) => u.id === Number(therapist))?.display_name ?? "the therapist";
      setDone(`${who} is now assigned to ${to}.`);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <h2 id="assign-heading">Assign a client to a therapist</h2>
      <p class="quiet">
        The therapist can then see and work with the client's record. Earlier assignments stay as they are.
      </p>
      <form class="stack" onSubmit={submit}>
        <Field id="assign-client" label="Client" hint="Clients who have joined Tandem, by the name on their account.">
          <select id="assign-client" aria-describedby="assign-client-hint" value={client} onChange={(e) => setClient(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {clients.map((u) => (
              <option key={u.id} value={String(u.client_id)}>
                {u.display_name} (record {u.client_id})
              </option>
            ))}
          </select>
        </Field>
        <Field id="assign-record" label="Or record number" hint="For someone not in the list yet: the record number from their invitation.">
          <input
            id="assign-record"
            type="text"
            inputMode="numeric"
            pattern="[0-9]*"
            aria-describedby="assign-record-hint"
            value={record}
            onInput={(e) => setRecord(e.currentTarget.value)}
          />
        </Field>
        <Field id="assign-therapist" label="Therapist">
          <select id="assign-therapist" value={therapist} onChange={(e) => setTherapist(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {therapists.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.display_name}
              </option>
            ))}
          </select>
        </Field>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          Assign
        </button>
      </form>
    </section>
  );
}

function LinkSupervisor({ users }: { users: User[] }) {
  const supervisors = users.filter((u) => u.role === "supervisor" && u.active).sort(byName);
  const therapists = users.filter((u) => u.role === "therapist" && u.active).sort(byName);
  const [supervisor, setSupervisor] = useState("");
  const [therapist, setTherapist] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone("");
    if (!supervisor || !therapist) {
      setError(new ApiError(400, "invalid-argument", "Choose both the supervisor and the therapist they will supervise.", !supervisor ? "supervisor" : "therapist"));
      return;
    }
    setBusy(true);
    try {
      await api.post("/api/v1/supervision-links", { supervisor: Number(supervisor), therapist: Number(therapist) });
      const s = supervisors.find((u) => u.id === Number(supervisor))?.display_name ?? "The supervisor";
      const t = therapists.find((u) => u.id === Number(therapist))?.display_name ?? "the therapist";
      setDone(`${s} now supervises ${t}: they can read the caseload and reflections, and comment.`);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <h2 id="link-heading">Link a supervisor to a therapist</h2>
      <p class="quiet">The supervisor reads the therapist's caseload and reflection log, and comments; they change nothing else.</p>
      <form class="stack" onSubmit={submit}>
        <Field id="link-supervisor" label="Supervisor">
          <select id="link-supervisor" value={supervisor} onChange={(e) => setSupervisor(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {supervisors.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.display_name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="link-supervisee" label="Supervisee">
          <select id="link-supervisee" value={therapist} onChange={(e) => setTherapist(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {therapists.map((u) => (
              <option key={u.id} value={String(u.id)}>
                {u.display_name}
                {u.trainee ? " (in training)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          Link supervisor
        </button>
      </form>
    </section>
  );
}
