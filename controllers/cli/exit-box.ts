/** Each command sets this; commander's parseAsync does not return the action's value. */
export interface ExitBox {
  code: number;
}
