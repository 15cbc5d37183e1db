// The admin's pages (the table lives in routes.tsx, where JSX may be written).
export { adminRoutes } from "./routes";
