import { describe, expect, it } from 'vitest';
import { enrollCommand } from './enrollment.js';

describe('enrollCommand', () => {
  it('passes the token on standard input with the agent’s real flags', () => {
    expect(enrollCommand('https://locus.example', 'locus_enr_abc', { claim: 'SG' })).toBe("printf '%s\\n' 'locus_enr_abc' | sudo locus agent enroll --server 'https://locus.example' --token-file - --claim SG");
  });

  it('quotes what a shell would otherwise read', () => {
    expect(enrollCommand('http://127.0.0.1:8080', "it's", { name: 'gpu 01; rm' })).toBe(
      "printf '%s\\n' 'it'\\''s' | sudo locus agent enroll --server 'http://127.0.0.1:8080' --token-file - --name 'gpu 01; rm'",
    );
  });
});
