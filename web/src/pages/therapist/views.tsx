// Each therapist page as a route view; keyed by the client's id so moving from one client to
// another starts the page afresh.
import type { ComponentChildren } from "preact";
import { Caseload } from "./Caseload";
import { ClientPage } from "./ClientPage";
import { NewClient } from "./NewClient";
import { ProgressPage } from "./ProgressPage";
import { Reflections } from "./Reflections";
import { SessionPage } from "./SessionPage";

type Params = Record<string, string>;

// Every therapist page sits in .th-area, the scope of therapist.css.
const Area = ({ children }: { children: ComponentChildren }) => <div class="th-area">{children}</div>;

export const caseloadView = () => (
  <Area>
    <Caseload />
  </Area>
);
export const newClientView = () => (
  <Area>
    <NewClient />
  </Area>
);
export const clientView = ({ id }: Params) => (
  <Area>
    <ClientPage key={id} id={id} />
  </Area>
);
export const progressView = ({ id }: Params) => (
  <Area>
    <ProgressPage key={id} id={id} />
  </Area>
);
export const sessionView = ({ id }: Params) => (
  <Area>
    <SessionPage key={id} id={id} />
  </Area>
);
export const reflectionsView = () => (
  <Area>
    <Reflections />
  </Area>
);
