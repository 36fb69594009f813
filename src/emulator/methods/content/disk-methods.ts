/**
 * Drive (`disk.*`, scope `disk`; docs api-reference/disk): storages, folders and files with real
 * state. A portal starts with the shared drive (`common`) and the administrator's drive (`user`),
 * made on first use. Objects answer with string ids as the docs show (`ID`, `STORAGE_ID`,
 * `PARENT_ID`), `TYPE` `folder`/`file`; files carry `SIZE`, `FILE_ID`, `GLOBAL_CONTENT_VERSION`.
 * Names are unique inside a folder (`DISK_OBJ_22000`), unless `generateUniqueName` asks for `name (1)`.
 * `uploadversion` keeps the previous content as a version (`disk.file.getVersions`); `moveto` and
 * `copyto` need a target folder; `delete` destroys the file and its versions.
 * Deviation: upload by `uploadUrl` (multipart) is not emulated; content comes as base64 `fileContent`.
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, matchesFilter, type ResolveField } from '../../list/build-filter.ts';
import { readStart } from '../../list/parse-list-params.ts';
import type { PortalState } from '../../portal-state.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, isPlainObject, pickParam, pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';

const STORAGES = 'disk.storage';
const OBJECTS = 'disk.object';
const VERSIONS = 'disk.version';
const PAGE = 50;

function tables(portal: PortalState) {
  const storages = portal.genericTable(STORAGES);
  const objects = portal.genericTable(OBJECTS);
  if (storages.size === 0) {
    const make = (name: string, entityType: string, entityId: string): void => {
      const storageId = storages.allocateId();
      const rootId = objects.allocateId();
      objects.insert(rootId, {
        ID: rootId,
        NAME: name,
        CODE: null,
        STORAGE_ID: storageId,
        TYPE: 'folder',
        PARENT_ID: null,
        DELETED_TYPE: 0,
        CREATE_TIME: 0,
        UPDATE_TIME: 0,
        CREATED_BY: 1,
        UPDATED_BY: 1,
      });
      storages.insert(storageId, {
        ID: storageId,
        NAME: name,
        CODE: null,
        MODULE_ID: 'disk',
        ENTITY_TYPE: entityType,
        ENTITY_ID: entityId,
        ROOT_OBJECT_ID: rootId,
      });
    };
    make('Shared drive', 'common', 'shared_files_s1');
    make('My Drive', 'user', '1');
  }
  return { storages, objects, versions: portal.genericTable(VERSIONS) };
}

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function notFound(id: unknown): RestError {
  return new RestError('ERROR_NOT_FOUND', `Could not find entity with id '${textOf(id)}'.`);
}

function readId(call: MethodCall, name = 'id'): number {
  const raw = param(call, name);
  if (raw === undefined || textOf(raw).trim() === '') throw new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400, { argument: name });
  const id = positiveInteger(raw);
  if (id === undefined) throw notFound(raw);
  return id;
}

function objectOf(call: MethodCall, type: 'file' | 'folder', name = 'id'): GenericRecord {
  const id = readId(call, name);
  const object = tables(call.portal).objects.get(id);
  if (!object || object.TYPE !== type) throw notFound(id);
  return object;
}

function render(call: MethodCall, object: GenericRecord): Record<string, unknown> {
  const base = `${call.portal.domain}/docs`;
  const output: Record<string, unknown> = {
    ID: String(object.ID),
    NAME: object.NAME,
    CODE: object.CODE ?? null,
    STORAGE_ID: String(object.STORAGE_ID),
    TYPE: object.TYPE,
    PARENT_ID: object.PARENT_ID === null ? null : String(object.PARENT_ID),
    DELETED_TYPE: object.DELETED_TYPE,
    CREATE_TIME: phpIsoDate(Number(object.CREATE_TIME)),
    UPDATE_TIME: phpIsoDate(Number(object.UPDATE_TIME)),
    DELETE_TIME: null,
    CREATED_BY: String(object.CREATED_BY),
    UPDATED_BY: String(object.UPDATED_BY),
    DELETED_BY: null,
    DETAIL_URL: `https://${base}/${object.TYPE}/${object.ID}/`,
  };
  if (object.TYPE === 'file') {
    output.GLOBAL_CONTENT_VERSION = object.GLOBAL_CONTENT_VERSION;
    output.FILE_ID = object.FILE_ID;
    output.SIZE = String(object.SIZE);
    output.DOWNLOAD_URL = `https://${call.portal.domain}/rest/download.json?id=${object.ID}&v=${object.GLOBAL_CONTENT_VERSION}`;
  } else {
    output.REAL_OBJECT_ID = String(object.ID);
  }
  return output;
}

function childrenOf(call: MethodCall, folderId: number): GenericRecord[] {
  return [...tables(call.portal).objects.values()].filter((object) => object.PARENT_ID === folderId);
}

/** A name free in the folder: the name itself, or `name (n).ext` when asked to generate one. */
function freeName(call: MethodCall, folderId: number, name: string, generate: boolean, exceptId?: number): string {
  const taken = new Set(
    childrenOf(call, folderId)
      .filter((object) => object.ID !== exceptId)
      .map((object) => String(object.NAME).toLowerCase()),
  );
  if (!taken.has(name.toLowerCase())) return name;
  if (!generate) throw new RestError('DISK_OBJ_22000', `The object with the name "${name}" already exists in this folder.`);
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let counter = 1; ; counter += 1) {
    const candidate = `${stem} (${counter})${extension}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** `fileContent`: `[name, base64]` or a bare base64 string. */
function readContent(call: MethodCall): { name: string; base64: string } | undefined {
  const raw = param(call, 'fileContent');
  if (raw === undefined) return undefined;
  const parts = Array.isArray(raw) ? raw : isPlainObject(raw) ? Object.values(raw) : [raw];
  const base64 = textOf(parts.length > 1 ? parts[1] : parts[0]).trim();
  if (base64 === '' || !/^[A-Za-z0-9+/=\s]*$/.test(base64))
    throw new RestError('ERROR_ARGUMENT', "Invalid value of parameter 'fileContent'", 400, { argument: 'fileContent' });
  return { name: parts.length > 1 ? textOf(parts[0]) : '', base64 };
}

function sizeOf(base64: string): number {
  return Buffer.from(base64, 'base64').length;
}

function flag(value: unknown): boolean {
  return value === true || ['1', 'y', 'true'].includes(textOf(value).toLowerCase());
}

/** Ids of the stored files (b_file), a sequence of their own, per portal. */
function allocateFileId(portal: PortalState): number {
  return portal.genericTable('disk.b_file').allocateId();
}

function listPage(rows: GenericRecord[], call: MethodCall): MethodResult {
  const resolve: ResolveField<GenericRecord> = (name) => {
    const key = name.toUpperCase();
    return { key, read: (row) => (key === 'ID' ? row.ID : ((row[key] ?? null) as string | number | null)) };
  };
  const filter = buildFilter(pickParam(call.params, 'filter', 'FILTER'), resolve);
  const matching = rows.filter((row) => matchesFilter(row, filter));
  const start = Math.max(0, readStart(pickParam(call.params, 'start', 'START')));
  const result: MethodResult = { result: matching.slice(start, start + PAGE), total: matching.length };
  if (start + PAGE < matching.length) result.next = start + PAGE;
  return result;
}

function storageList(call: MethodCall): MethodResult {
  const page = listPage([...tables(call.portal).storages.values()], call);
  const rows = page.result as GenericRecord[];
  return { ...page, result: rows.map((storage) => ({ ...storage, ID: String(storage.ID), ROOT_OBJECT_ID: String(storage.ROOT_OBJECT_ID) })) };
}

function folderChildren(folderId: () => number) {
  return (call: MethodCall): MethodResult => {
    const page = listPage(childrenOf(call, folderId()), call);
    return { ...page, result: (page.result as GenericRecord[]).map((object) => render(call, object)) };
  };
}

function storageRoot(call: MethodCall): number {
  const id = readId(call);
  const storage = tables(call.portal).storages.get(id);
  if (!storage) throw notFound(id);
  return Number(storage.ROOT_OBJECT_ID);
}

function addSubfolder(call: MethodCall): MethodResult {
  const parent = objectOf(call, 'folder');
  const data = asPhpArray(param(call, 'data')) ?? {};
  const name = textOf(data.NAME).trim();
  if (name === '') throw new RestError('ERROR_ARGUMENT', "Error: required parameter 'data[NAME]'", 400, { argument: 'NAME' });
  const { objects } = tables(call.portal);
  const id = objects.allocateId();
  const folder: GenericRecord = {
    ID: id,
    NAME: freeName(call, parent.ID, name, false),
    CODE: null,
    STORAGE_ID: parent.STORAGE_ID,
    TYPE: 'folder',
    PARENT_ID: parent.ID,
    DELETED_TYPE: 0,
    CREATE_TIME: call.nowMs,
    UPDATE_TIME: call.nowMs,
    CREATED_BY: call.auth.userId,
    UPDATED_BY: call.auth.userId,
  };
  objects.insert(id, folder);
  return { result: render(call, folder) };
}

function uploadFile(call: MethodCall): MethodResult {
  const folder = objectOf(call, 'folder');
  const content = readContent(call);
  if (!content) return { result: { field: 'file', uploadUrl: `https://${call.portal.domain}/rest/upload.json?token=disk%7Cemulator${folder.ID}` } };
  const data = asPhpArray(param(call, 'data')) ?? {};
  const name = textOf(data.NAME).trim() || content.name.trim();
  if (name === '') throw new RestError('ERROR_ARGUMENT', "Error: required parameter 'data[NAME]'", 400, { argument: 'NAME' });
  const { objects } = tables(call.portal);
  const id = objects.allocateId();
  const fileId = allocateFileId(call.portal);
  const file: GenericRecord = {
    ID: id,
    NAME: freeName(call, folder.ID, name, flag(param(call, 'generateUniqueName'))),
    CODE: null,
    STORAGE_ID: folder.STORAGE_ID,
    TYPE: 'file',
    PARENT_ID: folder.ID,
    DELETED_TYPE: 0,
    GLOBAL_CONTENT_VERSION: 1,
    FILE_ID: fileId,
    SIZE: sizeOf(content.base64),
    CONTENT: content.base64,
    CREATE_TIME: call.nowMs,
    UPDATE_TIME: call.nowMs,
    CREATED_BY: call.auth.userId,
    UPDATED_BY: call.auth.userId,
  };
  objects.insert(id, file);
  return { result: render(call, file) };
}

function uploadVersion(call: MethodCall): MethodResult {
  const file = objectOf(call, 'file');
  const content = readContent(call);
  if (!content) throw new RestError('ERROR_ARGUMENT', "Error: required parameter 'fileContent'", 400, { argument: 'fileContent' });
  const { objects, versions } = tables(call.portal);
  const versionId = versions.allocateId();
  versions.insert(versionId, {
    ID: versionId,
    OBJECT_ID: file.ID,
    FILE_ID: file.FILE_ID,
    SIZE: file.SIZE,
    NAME: file.NAME,
    CONTENT: file.CONTENT,
    GLOBAL_CONTENT_VERSION: file.GLOBAL_CONTENT_VERSION,
    CREATE_TIME: file.UPDATE_TIME,
    CREATED_BY: file.UPDATED_BY,
  });
  const fileId = allocateFileId(call.portal);
  const next: GenericRecord = {
    ...file,
    FILE_ID: fileId,
    SIZE: sizeOf(content.base64),
    CONTENT: content.base64,
    GLOBAL_CONTENT_VERSION: Number(file.GLOBAL_CONTENT_VERSION) + 1,
    UPDATE_TIME: call.nowMs,
    UPDATED_BY: call.auth.userId,
  };
  objects.insert(file.ID, next);
  return { result: render(call, next) };
}

function getVersions(call: MethodCall): MethodResult {
  const file = objectOf(call, 'file');
  const rows = [...tables(call.portal).versions.values()].filter((version) => version.OBJECT_ID === file.ID).reverse();
  const page = listPage(rows, call);
  return {
    ...page,
    result: (page.result as GenericRecord[]).map((version) => ({
      ID: String(version.ID),
      OBJECT_ID: String(version.OBJECT_ID),
      SIZE: String(version.SIZE),
      NAME: version.NAME,
      GLOBAL_CONTENT_VERSION: version.GLOBAL_CONTENT_VERSION,
      CREATE_TIME: phpIsoDate(Number(version.CREATE_TIME)),
      CREATED_BY: String(version.CREATED_BY),
      DOWNLOAD_URL: `https://${call.portal.domain}/rest/download.json?version=${version.ID}`,
    })),
  };
}

function targetFolder(call: MethodCall): GenericRecord {
  return objectOf(call, 'folder', 'targetFolderId');
}

function moveTo(call: MethodCall): MethodResult {
  const file = objectOf(call, 'file');
  const target = targetFolder(call);
  if (file.PARENT_ID === target.ID) return { result: render(call, file) };
  const moved: GenericRecord = {
    ...file,
    NAME: freeName(call, target.ID, String(file.NAME), false, file.ID),
    PARENT_ID: target.ID,
    STORAGE_ID: target.STORAGE_ID,
    UPDATE_TIME: call.nowMs,
  };
  tables(call.portal).objects.insert(file.ID, moved);
  return { result: render(call, moved) };
}

function copyTo(call: MethodCall): MethodResult {
  const file = objectOf(call, 'file');
  const target = targetFolder(call);
  const { objects } = tables(call.portal);
  const id = objects.allocateId();
  const fileId = allocateFileId(call.portal);
  const copy: GenericRecord = {
    ...file,
    ID: id,
    NAME: freeName(call, target.ID, String(file.NAME), false),
    PARENT_ID: target.ID,
    STORAGE_ID: target.STORAGE_ID,
    FILE_ID: fileId,
    GLOBAL_CONTENT_VERSION: 1,
    CREATE_TIME: call.nowMs,
    UPDATE_TIME: call.nowMs,
    CREATED_BY: call.auth.userId,
    UPDATED_BY: call.auth.userId,
  };
  objects.insert(id, copy);
  return { result: render(call, copy) };
}

function deleteFile(call: MethodCall): MethodResult {
  const file = objectOf(call, 'file');
  const { objects, versions } = tables(call.portal);
  for (const version of [...versions.values()]) if (version.OBJECT_ID === file.ID) versions.delete(version.ID);
  objects.delete(file.ID);
  return { result: true };
}

export function diskMethods(): MethodSpec[] {
  return [
    { name: 'disk.storage.getlist', scope: 'disk', kind: 'read', handler: storageList },
    { name: 'disk.storage.getchildren', scope: 'disk', kind: 'read', handler: (call) => folderChildren(() => storageRoot(call))(call) },
    { name: 'disk.folder.getchildren', scope: 'disk', kind: 'read', handler: (call) => folderChildren(() => objectOf(call, 'folder').ID)(call) },
    { name: 'disk.folder.addsubfolder', scope: 'disk', kind: 'write', handler: addSubfolder },
    { name: 'disk.folder.uploadfile', scope: 'disk', kind: 'write', handler: uploadFile },
    { name: 'disk.file.get', scope: 'disk', kind: 'read', handler: (call) => ({ result: render(call, objectOf(call, 'file')) }) },
    { name: 'disk.file.uploadversion', scope: 'disk', kind: 'write', handler: uploadVersion },
    { name: 'disk.file.getversions', scope: 'disk', kind: 'read', handler: getVersions },
    { name: 'disk.file.moveto', scope: 'disk', kind: 'write', handler: moveTo },
    { name: 'disk.file.copyto', scope: 'disk', kind: 'write', handler: copyTo },
    { name: 'disk.file.delete', scope: 'disk', kind: 'write', handler: deleteFile },
  ];
}
