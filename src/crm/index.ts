/** The CRM of the survey's send_crm action. */
export { createCrmClient, dataOf, fillResponseTemplate, urlWithoutCredentials, type CrmClientOptions, type CrmClientWithTarget, type CrmTarget } from './client.js';
