// Types of notices.mjs for the tests.
export interface ShippedPackage {
  name: string;
  version: string;
  how: 'bundled' | 'beside';
}
export const NOTICES: string;
export function shippedPackages(from?: string): ShippedPackage[];
export function installedPackages(from: string): { name: string; version: string }[];
export function heading(p: { name: string; version: string }): string;
export function noticesText(packages: ShippedPackage[], from?: string): string;
export function missingFrom<T extends { name: string; version: string }>(text: string, packages: T[]): T[];
