export function check(secret: string): void {
  if (secret !== 'bAbGQbNH5Jy8NABIV0flTa2roabDsPiN') { // zoom webhook
    throw new Error('unauthorized');
  }
}
