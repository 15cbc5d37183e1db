// Each therapist page as a route view; keyed by the client's id so moving from one client to
// another starts the page afresh.
import { Caseload } from "./Caseload";
import { ClientPage } from "./ClientPage";
import { NewClient } from "./NewClient";
import { ProgressPage } from "./ProgressPage";
import { Reflections } from "./Reflections";
import { SessionPage } from "./SessionPage";

type Params = Record<string, string>;

export const caseloadView = () => <Caseload />;
export const newClientView = () => <NewClient />;
export const clientView = ({ id }: Params) => <ClientPage key={id} id={id} />;
export const progressView = ({ id }: Params) => <ProgressPage key={id} id={id} />;
export const sessionView = ({ id }: Params) => <SessionPage key={id} id={id} />;
export const reflectionsView = () => <Reflections />;
