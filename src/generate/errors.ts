/** Error codes (data-model §8) with the text the service writes for them. */

export interface ErrorInfo {
  readonly errorCode: string;
  readonly reason: string;
  readonly additionalDetails: string;
  readonly errorCategory: 'failure' | 'nonServiceFailure';
  readonly recommendedAction: string;
}

function e(
  errorCode: string,
  reason: string,
  recommendedAction: string,
  errorCategory: 'failure' | 'nonServiceFailure' = 'nonServiceFailure',
  additionalDetails = '',
): ErrorInfo {
  return { errorCode, reason, additionalDetails, errorCategory, recommendedAction };
}

const RETRY = 'The provisioning service will retry this operation in the next cycle (about 40 minutes).';

export const ERRORS = {
  credential: e(
    'SystemForCrossDomainIdentityManagementCredentialValidationFailure',
    'Message: The provided credentials are invalid or expired. The target SCIM endpoint returned HTTP 401 Unauthorized for every request made with the configured secret token.',
    'Generate a new secret token in the application, update it under Admin Credentials and select Test Connection, then restart provisioning.',
    'nonServiceFailure',
    'HTTP 401 Unauthorized',
  ),
  duplicateTarget: e(
    'DuplicateTargetEntries',
    'The operation failed because more than one object in the target system matched the matching attributes of this object.',
    'Remove the duplicate objects from the target system or change the matching attributes.',
  ),
  multipleEntries: e(
    'SystemForCrossDomainIdentityManagementMultipleEntriesInResponse',
    'The SCIM endpoint returned more than one resource for a GET request filtered on the matching attribute.',
    'Make the matching attribute unique in the application or contact the application developer.',
  ),
  incompatible: e(
    'SystemForCrossDomainIdentityManagementServiceIncompatible',
    'The response from the SCIM endpoint could not be parsed. The endpoint is not compatible with the SCIM 2.0 protocol as implemented by the provisioning service.',
    'Contact the application developer to make the endpoint SCIM-compliant.',
  ),
  tooManyRequests: e(
    'TooManyRequests',
    'The target application returned HTTP 429 Too Many Requests. The application is throttling the provisioning service.',
    RETRY,
    'nonServiceFailure',
    'Retry-After: 60',
  ),
  internalServerError: e(
    'InternalServerError',
    'The target application returned an unexpected HTTP 500 Internal Server Error.',
    RETRY,
  ),
  timeout: e('Timeout', 'The target application took too long to respond to the request.', RETRY),
  schemaAttribute: e(
    'SchemaAttributeNotFound',
    "The attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter' is mapped but does not exist in the target schema.",
    'Remove the attribute mapping or add the attribute to the target schema.',
  ),
  mandatory: e(
    'MandatoryFieldsMissing',
    'The object could not be created because the required attribute name.familyName has no value.',
    'Populate the required attribute in the source system or add a default value to the mapping.',
  ),
  license: e(
    'LicenseLimitExceeded',
    'The user could not be created because there are no licenses left in the target application.',
    'Buy more licenses or remove users from the application.',
  ),
  invalidAnchor: e(
    'InvalidAnchor',
    'The object that was previously created or matched in the target system no longer exists.',
    'Restart the provisioning job to rematch the object.',
  ),
  entryConflict: e(
    'EntryConflict',
    'Message: The target application returned an error response with the HTTP status code 409. A user or a group already exists with the same name.',
    'Remove the conflicting object from the target application or remove the user from the scope of provisioning.',
  ),
  insufficientRightsAd: e(
    'HybridSynchronizationActiveDirectoryInsufficientAccessRights',
    'Insufficient access rights to perform the operation. LDAP error INSUFF_ACCESS_RIGHTS (4003). The gMSA provAgentgMSA$ lacks permission on the target organizational unit.',
    'Grant the provisioning agent gMSA the required permissions on the organizational unit.',
  ),
  duplicateSource: e(
    'DuplicateSourceEntries',
    'The operation failed because more than one object in the source system matched the matching attributes of this object.',
    'Remove the duplicate source objects or change the matching attributes.',
  ),
  invalidDomain: e(
    'InvalidDomain',
    'The userPrincipalName value has a domain that is not a verified domain of the directory.',
    'Fix the expression that builds the userPrincipalName or verify the domain.',
  ),
  missingValues: e(
    'MissingValues',
    'A required value for the attribute sAMAccountName was not provided.',
    'Make sure the source system populates every attribute the mapping requires.',
  ),
  b2bPolicy: e(
    'AzureDirectoryB2BManagementPolicyCheckFailure',
    'The automatic redemption setting is not enabled in the cross-tenant access settings of the target tenant.',
    'Enable automatic redemption in both the source and the target tenant.',
  ),
  originatedExternal: e(
    'AzureActiveDirectoryCannotUpdateObjectsOriginatedInExternalService',
    'Unable to update this object because the attribute showInAddressList is mastered by Exchange Online.',
    'Remove the attribute from the mapping.',
  ),
  quota: e(
    'AzureActiveDirectoryQuotaLimitExceeded',
    'The directory object quota limit of the target tenant has been reached.',
    'Remove unused objects from the target tenant or request a quota increase.',
  ),
  invitation: e(
    'InvitationCreationFailure',
    'The B2B invitation for the user could not be created in the target tenant.',
    'Check the cross-tenant access settings and the user object in the source tenant.',
  ),
  internalError: e(
    'InternalError',
    'An internal error occurred in the provisioning service.',
    RETRY,
    'failure',
  ),
  unresolvedReference: e(
    'UnableToResolveReferenceAttributeValue',
    "Failed to resolve the reference attribute 'members': the referenced user has not been provisioned to the target system.",
    'Assign the referenced user to the application or wait until the user is provisioned.',
  ),
  redundantExport: e(
    'RedundantExport',
    'The update was exported but the target system reported that the object is already in sync.',
    'No action is needed.',
  ),
} satisfies Record<string, ErrorInfo>;

export type ErrorKey = keyof typeof ERRORS;
