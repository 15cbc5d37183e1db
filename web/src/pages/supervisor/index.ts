// The supervisor's pages (the table lives in routes.tsx, where JSX may be written).
export { supervisorRoutes } from "./routes";
