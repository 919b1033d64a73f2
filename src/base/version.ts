// port-drift's version, as package.json says (a unit test keeps them equal): SARIF and the CLI show it.
export const VERSION = '0.1.0';
