/** What the API asks of the scheduler: its schedules as shown, and an approver's word. */
export interface ScheduleRoutes {
  describe(): Promise<unknown[]>;
  approve(
    name: string,
    planSha256: string,
    by: string,
  ): Promise<{ schedule: string; planSha256: string; by: string }>;
}
