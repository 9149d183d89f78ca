import type { Command } from 'commander';

// Placeholder until its issue lands: registers nothing, so the command does not exist yet.
export function register(_program: Command): void {}
