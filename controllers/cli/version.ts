/** swarmkeeper's version (`swarmkeeper --version`). */
export const VERSION = '0.1.0';
