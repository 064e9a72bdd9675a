// The marks of a Gogo shell session: plan/gogo.ts writes them into the node command, execute/gogo.ts
// reads the answer by them.

/** The line the Gogo shell prints after the command's answer (typed as `echo lrroll-gogo-end`). */
export const GOGO_END = 'lrroll-gogo-end';

/** The line printed before each session, naming its command (`== gogo scr:list`). */
export const SESSION_MARK = '== gogo ';
