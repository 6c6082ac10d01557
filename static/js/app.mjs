import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.mjs";

initAll();
