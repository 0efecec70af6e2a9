export { aclListNames, formatAcls, isRoleAclList, parseAcls, parseAclsFlag, parseAclsValue, perAclList } from './acls.js';
export type { AclEntry, AclListName, AclLists, Acls } from './acls.js';
export { authenticateBasic, readOnlyRealm, readWriteRealm } from './basic-auth.js';
export type { BasicAuthentication } from './basic-auth.js';
export { credentialsPath, loadCredentials, parseCredentials } from './credentials.js';
export type { Credentials } from './credentials.js';
export { anyEntity, noneEntity, someEntity } from './entity.js';
export type { Entity } from './entity.js';
export { compileHttpAuthentication } from './http-authentication.js';
export type { HttpAuthentication, HttpAuthenticationFlags } from './http-authentication.js';
export {
  compileLocalAuthorizer,
  createLocalAuthorizer,
  decide,
  isAuthorized,
  isFrameworkRegistrationAuthorized,
  isStorageRequestAuthorized,
} from './local-authorizer.js';
export type { DecisionAcl, LocalAuthorizer } from './local-authorizer.js';
